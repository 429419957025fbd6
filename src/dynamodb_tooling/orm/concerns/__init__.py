"""The concerns ``Model`` is composed of, one module each (Eloquent's ``Concerns``):

- :mod:`.attributes` — what an instance stores; construction, reads and writes, hydration;
- :mod:`.guarding` — mass-assignment protection (``fillable``/``guarded``, ``force_fill``);
- :mod:`.serialization` — ``to_dict``/``to_json_dict`` and the pydantic/FastAPI hooks;
- :mod:`.change_tracking` — original values, ``get_dirty``, ``was_changed``;
- :mod:`.persistence` — ``create``/``save``/``update``/``delete``/``increment``/``refresh``;
- :mod:`.events` — model events around every write (``@hook``, ``add_hook``, observers);
- :mod:`.scopes` — local (``@scope``) and global scopes;
- :mod:`.querying` — the class-level query API (``User.where(...)``, ``User.find(...)``).
"""
