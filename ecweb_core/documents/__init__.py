"""帳票 (SPEC B3): 受注帳票管理's templates, the インボイス figures, rendering with xhtml2pdf and merging."""
