"""The blog example app (``dynamodb_tooling.examples.blog``) as a small FastAPI service."""
