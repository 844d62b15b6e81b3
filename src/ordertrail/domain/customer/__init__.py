"""What a customer may decide for themselves on the tracking page: where or when a parcel in
trouble is delivered (delivery_change), and the number texts go to (phone)."""
