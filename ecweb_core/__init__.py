"""ecweb's domain: models, search, bulk operations. Imports neither reflex nor dramatiq."""
