"""Extension objects, bound to no application: `create_app` initialises them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from inspections.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage from RATELIMIT_STORAGE_URI: Redis in production, memory in the embedded default.
limiter = Limiter(key_func=get_remote_address)
