"""API front workers: processes that speak HTTP and WebSocket to clients and relay each request's ASGI
messages to the engine process, whose one app answers every request (see relay.py and worker.py)."""
