"""Generated from proto/accord/v1 by generate_stubs.py; do not edit."""
