"""What a collation run writes: the returns table, validation list, feedback and collated data."""
