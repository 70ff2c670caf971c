from ninja import NinjaAPI

api = NinjaAPI(title="Etalase API", version="1")
