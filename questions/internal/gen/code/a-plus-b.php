<?php

[$a, $b] = array_map('intval', preg_split('/\s+/', trim(stream_get_contents(STDIN))));
// TODO: compute the sum of $a and $b.
$answer = 0;
echo $answer, "\n";
