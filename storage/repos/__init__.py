"""Repository functions: each takes an open session and returns plain rows or values."""
