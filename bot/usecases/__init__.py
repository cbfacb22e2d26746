"""Use cases: one function per thing a user or the scheduler does. They open the transaction,
call repositories and pure rules, write the audit entry, and return plain results.
They import neither telegram nor handlers nor jobs."""
