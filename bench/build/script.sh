# bench/build/script.sh: what the image built by the build suite runs.
echo "$GREETING from $APP_HOME: $(cat /app/greeting.txt)"
