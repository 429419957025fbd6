"""Relations without a server: the exact requests each loading pattern compiles and how many
ROUNDS (flow steps) it takes, edge writes as transactions, and every user error refused
before any request.

Requests go to a stub executor that keeps each flow step (one request, or a
``Concurrently`` of several) and answers from a tiny in-memory table, so results are
hydrated and matched as on a real engine; what is asserted is what was sent."""
