"""The instrument: every question, table, list and answer choice of the return, read from
`templates/instrument/` into fields with stable ids (`model`). Loading it together with its
check catalogue is `collate.load`, which sits above this package and `collate.checks`."""
