"""Example applications shipped with the package.

:mod:`dynamodb_tooling.examples.blog` is the app ``dbtooling demo`` runs and the FastAPI
service under ``examples/blog_api/`` serves.
"""
