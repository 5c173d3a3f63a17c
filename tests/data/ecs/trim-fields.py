#!/usr/bin/env python3
"""Trim ECS's generated/csv/fields.csv (stdin) to "field type" lines of the field sets --format ecs writes."""
import csv
import sys

KEEP = {"base", "ecs", "event", "source", "destination", "network", "tls"}
for row in csv.DictReader(sys.stdin):
    if row["Field_Set"] in KEEP:
        print(row["Field"], row["Type"])
