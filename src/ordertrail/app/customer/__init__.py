"""What a customer sees and says on the tracking pages."""
