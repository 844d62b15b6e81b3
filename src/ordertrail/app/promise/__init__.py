"""Delivery estimates: the promise a customer is shown, learnt from delivered parcels."""
