"""Reference geodesy for the tests: Vincenty's inverse formula in plain Python."""

from __future__ import annotations

import math

A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)


def vincenty(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Ellipsoidal (WGS-84) distance in metres; iterates to 1e-12 rad."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    u1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    sin_u1, cos_u1 = math.sin(u1), math.cos(u1)
    sin_u2, cos_u2 = math.sin(u2), math.cos(u2)
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (A**2 - B**2) / B**2
    k_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    k_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = (
        k_b
        * sin_sigma
        * (
            cos_2sm
            + k_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - k_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return B * k_a * (sigma - delta_sigma)


def track_length(lat: list[float], lon: list[float], segment: list[int] | None = None) -> float:
    """Sum of Vincenty distances between consecutive points of the same segment."""
    total = 0.0
    for i in range(1, len(lat)):
        if segment is not None and segment[i] != segment[i - 1]:
            continue
        total += vincenty(lat[i - 1], lon[i - 1], lat[i], lon[i])
    return total
