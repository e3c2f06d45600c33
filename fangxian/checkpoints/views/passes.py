"""Checkpoints: pages of the passes part (routes collected by fangxian/checkpoints/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
