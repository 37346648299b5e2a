"""Incubation tracking (培育跟踪): one service officer per selected project, the pathway plan, service record,
timers and success stories."""
