"""Jobs: their schemas, the access rules that guard them and the operations over them."""
