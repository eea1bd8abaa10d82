"""Operations: Prometheus metrics, notifications, account-level protections, maintenance.

``metrics`` holds the registry and its families and imports nothing of the kernel, so
that the web layer may serve it; the modules that watch the kernel (``observe``,
``protections``, ``notify``) are assembled by ``arbig.runtime``.
"""
