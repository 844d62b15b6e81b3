"""What a customer sees and decides: their time zone (customer_zone), what a carrier said that
they can act on (trouble_details, delivery_proof), the route on a small map (route_map), and
what they may decide on the tracking page: where or when a parcel in trouble is delivered
(delivery_change), and the number texts go to (phone)."""
