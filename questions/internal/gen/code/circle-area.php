<?php

$data = preg_split('/\s+/', trim(stream_get_contents(STDIN)));
$t = (int) $data[0];
$out = [];
for ($k = 1; $k <= $t; $k++) {
    $r = (float) $data[$k];
    // TODO: compute the area of a circle of radius $r (see M_PI).
    $area = 0.0;
    $out[] = sprintf('%.9f', $area);
}
echo implode("\n", $out), "\n";
