"""Delivery photos and signatures, kept in a folder or an S3-compatible bucket."""
