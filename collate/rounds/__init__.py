"""Round after round: the history of past collations and the progress since the last one.

`history` keeps each collation's collated.xlsx as a round and reads it back; `progress` compares
this round's analysis with earlier rounds (movement by council and pledge, trends with their
confidence intervals, the criteria that moved most); `carried` and `prefill` carry last round's
text and choice answers into next round's workbooks and query a section sent back unreviewed.
(A synthetic previous round for the demonstration is `collate.samples.previous_round`.)
"""
