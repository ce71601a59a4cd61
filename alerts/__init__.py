"""Urgent alerts (预警): the one path by which anything urgent reaches a person, and the proof that it did.

Other apps call ``alerts.services.alert_raise``; who is alerted is data (``AlertRule``), see docs/contracts/alerts.md.
"""
