"""The customers' pages: tracking lookups, parcel views and links from messages."""
