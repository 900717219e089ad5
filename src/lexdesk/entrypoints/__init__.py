"""Entry points: thin layers that parse, call one service and render (CLI; API and web later)."""
