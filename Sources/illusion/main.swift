import Models
print("illusion")
