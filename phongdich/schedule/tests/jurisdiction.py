"""Background jobs are system records (no personal data in the page); admin only."""

RECORDS_IN_COMMUNE_B: dict = {}
NOT_PERSONAL = {"schedule:job_retry": "a background job, for the system administrator only"}
