"""retention: turn an online shop's transaction log into retention decisions.

Modules, one per domain idea: ``data`` (load and validate), ``cleaning`` (rules and ledger),
``generator`` (seeded synthetic log with ground truth), ``eda``, ``features``, ``segments``,
``clv``, ``params`` (the validated schema), ``pipeline`` (prepare once per run), ``report`` and
``site`` (display helpers and the index page).
"""

__version__ = "0.1.0"
