"""決済 (SPEC B6): the payment gateway interface and its client for the sandbox provider
(gateway.py), the five processes of 決済状況一括変更 and their rules (processes.py, service.py), and
the sandbox provider service itself (sandbox/), a separate process with its own database."""
