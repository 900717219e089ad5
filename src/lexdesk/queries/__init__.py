"""The read side: lists and reports read the tables directly and never write."""
