"""Pages of the credit archive, in three parts of about equal size.

``applications``: the 5C credit applications and their evidence. ``ledger``: receivables, payments and their
allocation, extension requests and repayment plans. ``reports``: the overdue list and the aging report.
Views parse the request, ask one selector or service, and render; a record is found through its customer's rights.
"""
