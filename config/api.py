"""The versioned JSON API, assembled from each app's router."""

from etalase.accounts.api import router as accounts_router
from etalase.catalog.api import router as catalog_router
from etalase.core.api import DocumentedNinjaAPI, install_error_handlers
from etalase.customers.api import router as customers_router
from etalase.customers.io.api import router as customers_io_router
from etalase.customers.privacy.api import router as customers_privacy_router
from etalase.directory.api import router as directory_router
from etalase.engagement.api import router as engagement_router
from etalase.insights.api import router as insights_router
from etalase.insights.customer_api import router as customer_insights_router
from etalase.notifications.api import router as notifications_router
from etalase.orders.api import router as orders_router

api = DocumentedNinjaAPI(
    title="Etalase API",
    version="1",
    description=(
        "Etalase: storefront and CRM for small businesses. Authenticate with a personal API token "
        "(`Authorization: Bearer etl_…`, created under Me → API tokens or with POST /auth/token) "
        "or, from the web app, with the session cookie and the CSRF token."
    ),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", directory_router)
api.add_router("/", catalog_router)
api.add_router("/", engagement_router)
api.add_router("/", notifications_router)
api.add_router("/", insights_router)
api.add_router("/", customer_insights_router)
api.add_router("/", orders_router)
api.add_router("/", customers_router)
api.add_router("/", customers_io_router)
api.add_router("/", customers_privacy_router)
