"""The checks: the catalogue of rules over a return's answers (`catalogue`, with each rule's
Excel half for the Checks sheet and its Python half for the collator) and the findings they make
(`findings`)."""
