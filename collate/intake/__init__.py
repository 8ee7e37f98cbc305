"""Intake: from a folder of returned files to one plain record per council and its status.

`cleaning` tidies text before any check sees it; `reader` reads one file by its named ranges into
a record; `manifest` knows which workbooks were issued; `collation` picks the return that counts
for each council and decides its status; `tidy` turns records into the long table kept in
collated.xlsx and back."""
