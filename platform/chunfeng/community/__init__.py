"""The lead-user community: open clinical needs, company challenges, consultations and appointments."""
