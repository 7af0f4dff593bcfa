
networkNettverk