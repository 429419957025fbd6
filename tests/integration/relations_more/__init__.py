"""More relations against the engine, as a user relies on them: polymorphic relations (both
directions, edges scan-checked), trees, has-many-through, ``load_missing`` on nested paths,
eager loading with every reading terminal (pages, chunks, ``each``, ``async for``, ``first``,
``find``, ``find_many``) counted at the wire, soft-deleted related models, serialisation
(``to_dict()``, pydantic/FastAPI response models) that never leaks hidden attributes,
children created through their relation (collections too), and the async twins giving what
the sync terminals give. Complements ``test_relations_engine.py``."""
