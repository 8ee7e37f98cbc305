"""The analysis: every measure for the round, made once per collation from the accepted
records (`round`), against the population figures the ratios compare with (`population`,
`child_population`). It feeds collated.xlsx, the dashboard, the packs and the report alike."""
