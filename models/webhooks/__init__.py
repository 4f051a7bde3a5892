"""Webhooks: endpoints an organization registers, and the deliveries of its events to them."""
