"""Model traits, one module each: :mod:`.soft_deletes`."""
