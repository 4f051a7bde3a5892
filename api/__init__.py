"""The HTTP surface: the Litestar app, its controllers and the command line."""
