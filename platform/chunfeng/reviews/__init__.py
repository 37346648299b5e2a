"""Expert review: rubrics, review rounds, formal check, expert profiles and conflicts, assignment, blind reviews,
aggregation for the panel, decisions, published results, reminders and exports."""
