"""The generator: where everything goes in a return workbook (`layout`), writing and locking it
(`workbook`), and building a round's workbooks, manifest and covering emails (`build`, `cli`)."""
