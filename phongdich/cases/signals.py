"""Signals other apps may listen to (the hotline shows F0 danger alerts to its agents).

`danger_alert_raised` is sent after the transaction that raised the alert commits, with
`sender=Alert`, `alert=<Alert>`, `case=<Case>`.
"""

from django.dispatch import Signal

danger_alert_raised = Signal()
