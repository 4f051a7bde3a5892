"""Route handlers, one module per resource. Each handler parses, calls the domain, renders."""
