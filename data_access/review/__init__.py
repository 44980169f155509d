"""The reporting chain in the data layer: see ``data_access.review.actions`` (submit, withdraw, approve,
return, reopen), ``comments``, ``reads`` (queue, review table, entry panel), ``snapshots`` (上报) and
``states`` (what the save path of reported values asks)."""
