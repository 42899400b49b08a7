"""Tools for tests and benchmarks that drive a real app: API keys of test agencies, and fault
injection (a private Redis, a TCP proxy that cuts connections, a server that never answers).
Nothing here runs in production; the tests and bench/ share it so neither imports the other."""
