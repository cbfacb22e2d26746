"""Pure domain rules: no telegram, no sqlmodel, no I/O. Time arrives as a parameter."""
