print("idsync")
